-- What a secondary learned about which primaries speak XoT (opportunistic TLS), kept across restarts.
CREATE TABLE xot_probe (
  address     VARCHAR(100) PRIMARY KEY,
  state       VARCHAR(10) NOT NULL,
  changed_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
