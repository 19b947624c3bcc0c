// Kept out of index.html so the docs page needs no inline script under its Content-Security-Policy.
window.ui = SwaggerUIBundle({ url: "/openapi.yaml", dom_id: "#swagger-ui", deepLinking: true });
