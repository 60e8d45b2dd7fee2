package org.cairndns.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

class ConfigDifferenceTest {
  @TempDir Path dir;

  private static final String KEY_A = "{name: a., secret: \"c2VjcmV0LW9uZQ==\"}";
  private static final String KEY_A_ROTATED = "{name: a., secret: \"c2VjcmV0LXR3bw==\"}";

  CairnConfig load(String yaml) throws Exception {
    Path p = Files.createTempFile(dir, "cairn", ".yaml");
    Files.writeString(p, yaml);
    return ConfigLoader.load(p);
  }

  static Name name(String text) throws Exception {
    return Name.fromString(text);
  }

  /** A key added to the schema and forgotten here would never be compared by a reload. */
  @Test
  void everyKeyOutsideTheZoneAndKeyListsIsCompared() {
    Set<String> compared = new HashSet<>();
    ConfigDifference.SETTINGS.forEach(s -> compared.add(s.key().path()));
    Set<String> missing = new TreeSet<>();
    for (Section section : ConfigSchema.TOP.withNested()) {
      if (section.path().contains("[]")) {
        continue; // zones[] and tsig-keys[]: compared item by item
      }
      for (Key<?> key : section.keys()) {
        boolean nested =
            key.type() instanceof ValueTypes.Mapping
                || key.equals(ConfigSchema.ZONES.asList())
                || key.equals(ConfigSchema.TSIG_KEYS.asList());
        if (!nested && !compared.contains(key.path())) {
          missing.add(key.path());
        }
      }
    }
    assertTrue(missing.isEmpty(), "not compared by ConfigDifference: " + missing);
    assertEquals(compared.size(), ConfigDifference.SETTINGS.size(), "a key compared twice");
  }

  @Test
  void liveKeysAreAppliedWithOldAndNewValueAndRestartOnlyKeysNamed() throws Exception {
    CairnConfig before =
        load("listen: [127.0.0.1:5300]\nlimits: {udp-payload: 1232}\ntls: {key-password: one}\n");
    CairnConfig after =
        load(
            """
            listen: [127.0.0.1:5301]
            limits: {udp-payload: 1400, tcp-connections: 5}
            tls: {key-password: two}
            identity: {version: v2}
            """);
    ConfigDifference d = ConfigDifference.between(before, before, after);
    assertEquals(
        List.of(
            "tls.key-password changed",
            "limits.udp-payload: 1232 -> 1400",
            "identity.version: Cairn -> v2"),
        d.applied());
    assertEquals(List.of("listen", "limits.tcp-connections"), d.restartNeeded());
    assertTrue(d.tlsChanged());
    assertFalse(d.applied().toString().contains("two"), "a secret is never shown");
  }

  @Test
  void aRestartOnlyKeyStaysNamedUntilARestartAndOneChangedBackIsNot() throws Exception {
    CairnConfig started = load("listen: [127.0.0.1:5300]\n");
    CairnConfig changed = load("listen: [127.0.0.1:5301]\n");
    // The first reload named it and applied nothing of it; the next still differs from the start.
    assertEquals(
        List.of("listen"), ConfigDifference.between(started, changed, changed).restartNeeded());
    assertEquals(List.of(), ConfigDifference.between(started, changed, started).restartNeeded());
    assertEquals(List.of(), ConfigDifference.between(started, started, started).applied());
  }

  @Test
  void zonesAreAddedRemovedAndChangedByName() throws Exception {
    CairnConfig before =
        load(
            """
            tsig-keys: [%s]
            zones:
              - {name: kept.test}
              - {name: acl.test, allow-transfer: [{address: 192.0.2.0/24}]}
              - {name: gone.test}
              - {name: moved.test, file: a.zone}
              - {name: signed.test, notify: 192.0.2.9:53, notify-key: a.}
            """
                .formatted(KEY_A));
    CairnConfig after =
        load(
            """
            tsig-keys: [%s]
            zones:
              - {name: signed.test, notify: 192.0.2.9:53, notify-key: a.}
              - {name: moved.test, file: b.zone}
              - {name: new.test}
              - {name: acl.test, allow-transfer: [{address: 192.0.2.0/25}]}
              - {name: kept.test}
            """
                .formatted(KEY_A_ROTATED));
    ConfigDifference d = ConfigDifference.between(before, before, after);
    assertEquals(List.of(name("new.test.")), d.zonesAdded().stream().map(z -> z.name()).toList());
    assertEquals(List.of(name("gone.test.")), d.zonesRemoved());
    // A changed ACL is read by each transfer: the zone's owner keeps running as it is.
    assertEquals(
        Set.of(name("signed.test."), name("moved.test.")),
        Set.copyOf(d.zonesChanged().stream().map(z -> z.name()).toList()));
    assertEquals(
        Set.of(name("kept.test."), name("acl.test.")),
        Set.copyOf(d.zonesKept().stream().map(z -> z.name()).toList()));
    assertEquals(
        List.of(
            "tsig-keys a. rotated (new secret or algorithm)",
            "zone signed.test. changed: its key a.",
            "zone moved.test. changed: file",
            "zone new.test. added",
            "zone acl.test. changed: allow-transfer",
            "zone gone.test. removed (no longer served; its data stays in the store)"),
        d.applied());
    assertFalse(d.applied().toString().contains("c2Vj"), "a TSIG secret is never shown");
  }

  @Test
  void theSameFileReadTwiceDiffersInNothing() throws Exception {
    Path sample = Path.of("..", "zones-sample", "cairn.yaml");
    ConfigDifference d =
        ConfigDifference.between(
            ConfigLoader.load(sample), ConfigLoader.load(sample), ConfigLoader.load(sample));
    assertEquals(List.of(), d.applied());
    assertEquals(List.of(), d.restartNeeded());
    assertEquals(List.of(), d.zonesChanged());
  }

  @Test
  void switchingToOrFromServingEveryStoredZoneNeedsARestart() throws Exception {
    CairnConfig every = load("zones: []\n");
    CairnConfig listed = load("zones: [{name: one.test}]\n");
    ConfigDifference d = ConfigDifference.between(every, every, listed);
    assertEquals(
        List.of("zones (to or from an empty list, which serves every stored zone)"),
        d.restartNeeded());
    assertEquals(List.of(), d.zonesAdded());
  }
}
