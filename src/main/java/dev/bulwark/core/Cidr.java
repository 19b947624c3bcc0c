package dev.bulwark.core;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A CIDR block; {@link #parse} throws {@link IllegalArgumentException} on bad input. */
public record Cidr(byte[] network, int prefix) {
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String host = slash < 0 ? s : s.substring(0, slash);
    if (!host.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR");
    }
    byte[] addr;
    try {
      addr = InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR");
    }
    int prefix;
    try {
      prefix = slash < 0 ? addr.length * 8 : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
    }
    if (prefix < 0 || prefix > addr.length * 8) {
      throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
    }
    return new Cidr(addr, prefix);
  }

  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }
}
