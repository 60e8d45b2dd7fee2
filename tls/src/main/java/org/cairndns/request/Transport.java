package org.cairndns.request;

/** How a DNS message reached us; decides framing, size limits, padding and what ACLs allow. */
public enum Transport {
  UDP,
  TCP,
  TLS;

  public boolean isStream() {
    return this != UDP;
  }

  public boolean isEncrypted() {
    return this == TLS;
  }
}
