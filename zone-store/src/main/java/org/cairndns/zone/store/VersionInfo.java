package org.cairndns.zone.store;

import java.time.Instant;

/**
 * One stored version of a zone and, when the journal still has it, the size of the step that led to
 * it ({@code deleted}/{@code added} are -1 for the first version or a pruned step).
 */
public record VersionInfo(
    long serial, Instant loadedAt, String source, int records, int deleted, int added) {}
