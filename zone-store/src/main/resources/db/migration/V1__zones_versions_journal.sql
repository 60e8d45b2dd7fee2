-- Zones, their versions and the IXFR journal. The records of the current version are kept as one
-- compressed blob of wire-format records: the server never queries records one by one (it serves
-- from in-memory snapshots), and a blob makes a 1,000,000-record load one insert.
CREATE TABLE zone (
  id            BIGINT AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(255) NOT NULL UNIQUE,
  serial        BIGINT NOT NULL,
  record_count  INT NOT NULL,
  records       BLOB NOT NULL,
  created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  changed_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE zone_version (
  zone_id       BIGINT NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
  seq           BIGINT NOT NULL,
  serial        BIGINT NOT NULL,
  loaded_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  source        VARCHAR(2000) NOT NULL,
  record_count  INT NOT NULL,
  PRIMARY KEY (zone_id, seq)
);

-- One row per step between consecutive versions: what was deleted and added (RFC 1995 order).
CREATE TABLE journal (
  zone_id       BIGINT NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
  seq           BIGINT NOT NULL,
  from_serial   BIGINT NOT NULL,
  to_serial     BIGINT NOT NULL,
  deleted_count INT NOT NULL,
  added_count   INT NOT NULL,
  deleted       BLOB NOT NULL,
  added         BLOB NOT NULL,
  PRIMARY KEY (zone_id, seq)
);

-- Bumped by every committed change, so a running server notices loads made by the CLI cheaply.
CREATE TABLE store_state (
  id             INT PRIMARY KEY,
  change_counter BIGINT NOT NULL
);
INSERT INTO store_state (id, change_counter) VALUES (1, 0);
