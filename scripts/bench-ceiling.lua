-- wrk script of scripts/bench-ceiling.sh, the same for Bulwark and its ceiling:
--   wrk ... -s scripts/bench-ceiling.lua http://127.0.0.1:PORT -- ENDPOINT DATA_FILE
-- DATA_FILE has one user per line; each request takes the next user's line, so the users' tokens rotate:
--   list     "<access token>"             GET  /api/v1/tasks?limit=20
--   get      "<access token> <task id>"   GET  /api/v1/tasks/<task id>
--   create   "<access token>"             POST /api/v1/tasks
--   refresh  "<refresh token>"            POST /api/v1/auth/refresh — a refresh token works once, so each answer's
--            new token goes to the back of the queue; a request that finds the queue empty sends a token that
--            cannot exist (and is counted as a non-2xx answer)
local endpoint
local lines, count, at = {}, 0, 0
local queue, head, tail = {}, 1, 0
local CREATE_BODY = '{"title":"Benchmark task","notes":"Written by the ceiling benchmark",'
  .. '"priority":"high","due_at":"2030-01-01T09:00:00Z"}'
local NO_TOKEN = string.rep("A", 43)

function init(args)
  endpoint = args[1]
  for line in io.lines(args[2]) do
    local first, second = line:match("^(%S+)%s*(%S*)$")
    if first then
      count = count + 1
      lines[count] = { first, second }
    end
  end
  if count == 0 then
    error("no users in " .. tostring(args[2]))
  end
  if endpoint == "refresh" then
    for k = 1, count do
      queue[k] = lines[k][1]
    end
    tail = count
  else
    response = nil -- wrk then skips reading response bodies
  end
  if endpoint ~= "list" and endpoint ~= "get" and endpoint ~= "create" and endpoint ~= "refresh" then
    error("unknown endpoint " .. tostring(endpoint))
  end
end

function request()
  if endpoint == "refresh" then
    local token = NO_TOKEN
    if head <= tail then
      token = queue[head]
      queue[head] = nil
      head = head + 1
    end
    return wrk.format("POST", "/api/v1/auth/refresh", { ["Content-Type"] = "application/json" },
      '{"refresh_token":"' .. token .. '"}')
  end
  at = at % count + 1
  local user = lines[at]
  local headers = { ["Authorization"] = "Bearer " .. user[1] }
  if endpoint == "list" then
    return wrk.format("GET", "/api/v1/tasks?limit=20", headers)
  elseif endpoint == "get" then
    return wrk.format("GET", "/api/v1/tasks/" .. user[2], headers)
  end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/api/v1/tasks", headers, CREATE_BODY)
end

function response(status, headers, body)
  if status == 200 then
    local token = body:match('"refresh_token"%s*:%s*"([%w_%-]+)"')
    if token then
      tail = tail + 1
      queue[tail] = token
    end
  end
end
