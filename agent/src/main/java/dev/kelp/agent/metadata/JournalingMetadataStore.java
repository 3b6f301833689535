package dev.kelp.agent.metadata;

import dev.kelp.agent.metadata.MetadataJournal.Pending;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.mode.Signal;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectKeys;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectTags;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.versions.VersionIds;
import dev.kelp.agent.versions.VersioningConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Primary;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata store the agent uses: the JDBC store while the database answers, and a local
 * journal while it does not (LOCAL_ONLY).
 *
 * <ul>
 * <li>A write that finds the database unreachable is appended to {@link MetadataJournal} and
 *     acknowledged once the entry is on disk; so is every write after it until the journal is
 *     replayed, which keeps the writes in order. The record a journaled put returns carries the
 *     version id the agent gave it, which it keeps through replay; its database order
 *     ({@link ObjectRecord#versionId()}) is 0 until then.</li>
 * <li>Reads look at the journal's overlay first (a client reads what it wrote), then ask the
 *     database; while the database is known to be down they fail at once with
 *     {@link MetadataUnavailableException} instead of waiting for a connection.</li>
 * <li>A background replayer probes the database every {@code kelp.metadata.probe-interval}
 *     while it is unreachable, then applies the journal in order, each entry exactly once
 *     ({@link MetadataTransactions#apply}), and reports the metadata signal healthy when the
 *     journal is empty.</li>
 * </ul>
 */
@Primary
@Singleton
class JournalingMetadataStore implements MetadataStore {

    private static final Logger LOG = LoggerFactory.getLogger(JournalingMetadataStore.class);
    /** How long {@code applied_journal} remembers an entry: far longer than any crash-and-restart. */
    private static final Duration APPLIED_RETENTION = Duration.ofDays(7);
    private static final int BLOB_LOCK_STRIPES = 64;

    private final ReplayTarget database;
    private final MetadataJournal journal;
    private final ModeMonitor mode;
    private final Duration probeInterval;
    private final LastKnownRecords lastKnown;
    private final OwnerUsageLedger ownerLedger = new OwnerUsageLedger();
    private final VersioningConfig versioning;
    private final Clock clock = Clock.systemUTC();

    /** Held while deciding between database and journal, and while appending. */
    private final Object writeRoute = new Object();
    /** Database reachable and journal empty: writes go straight to the database. */
    private volatile boolean direct;
    /** The last call or probe reached the database. */
    private volatile boolean reachable = true;
    private volatile boolean probedOnce;
    private volatile String lastReplayFailure;
    /** A replay step (apply, then forget the entry) excludes reads that merge journal and database. */
    private final ReentrantReadWriteLock replay = new ReentrantReadWriteLock();
    /**
     * A reclaim and a journaled put of the same blob exclude each other: a journaled put cannot
     * wait for the blob's row lock the way a put in the database does.
     */
    private final ReentrantLock[] blobLocks = new ReentrantLock[BLOB_LOCK_STRIPES];
    private ScheduledExecutorService replayer;

    JournalingMetadataStore(ReplayTarget database, MetadataJournal journal, ModeMonitor mode,
                            MetadataConfig config, VersioningConfig versioning, MeterRegistry meters) {
        this.database = database;
        this.versioning = versioning;
        this.journal = journal;
        this.mode = mode;
        this.probeInterval = config.probeInterval();
        this.lastKnown = new LastKnownRecords(config.lastKnownRecords());
        for (int i = 0; i < blobLocks.length; i++) {
            blobLocks[i] = new ReentrantLock();
        }
        Gauge.builder("kelp.metadata.journal.entries", journal, MetadataJournal::size)
            .description("metadata writes journaled locally and not yet in the database")
            .register(meters);
    }

    @PostConstruct
    void start() {
        resumeFromJournal();
        replayer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kelp-metadata-replayer");
            t.setDaemon(true);
            return t;
        });
        replayer.scheduleWithFixedDelay(this::replayTick, 0, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A journal left by the last run means LOCAL_ONLY until it is replayed. */
    void resumeFromJournal() {
        if (journal.isEmpty()) {
            direct = true;
        } else {
            direct = false;
            mode.report(Signal.METADATA, false, journal.size() + " metadata write(s) journaled locally wait to be replayed");
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (replayer != null) {
            replayer.shutdownNow();
            replayer.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    // --- writes

    @Override
    public PutOutcome put(ObjectRecord record, WriteLimits limits) {
        ObjectRecord storable = ObjectRows.storable(record);
        boolean firstAttempt = true;
        while (true) {
            if (direct) {
                try {
                    PutOutcome outcome = firstAttempt ? database.putNew(storable, limits) : database.put(storable, limits);
                    lastKnown.remember(outcome.stored());
                    ownerLedger.put(outcome.stored(), outcome.replaced(), keepsVersions());
                    return outcome;
                } catch (MetadataUnavailableException e) {
                    // The outcome is unknown (it may have committed): journal it too. Applying a put
                    // twice leaves the same object, counts and usage, so either way ends right.
                    firstAttempt = false;
                    unreachable(e);
                }
            }
            Optional<ObjectRecord> inDatabase = journal.lookup(storable.bucket(), storable.key()).isPresent()
                ? Optional.empty() : currentInDatabase(storable.bucket(), storable.key());
            ReentrantLock blobLock = blobLock(storable.bucket(), storable.hash());
            blobLock.lock();
            try {
                synchronized (writeRoute) {
                    if (!direct) {
                        Optional<ObjectRecord> replaced = journal.lookup(storable.bucket(), storable.key())
                            .map(p -> Optional.ofNullable(p.record())).orElse(inDatabase);
                        // Unless a journaled object already holds this blob, the caller cannot know
                        // its bytes survive until replay (it may be reclaimed): it must store them.
                        boolean blobCreated = !journal.holdsReference(storable.bucket(), storable.hash());
                        journal.appendPut(storable, clock.instant());
                        lastKnown.remember(storable);
                        ownerLedger.put(storable, replaced, keepsVersions());
                        return new PutOutcome(storable, replaced, blobCreated);
                    }
                }
            } finally {
                blobLock.unlock();
            }
        }
    }

    /** Only the database can refuse a write; while it is away there is nothing of its to offer. */
    @Override
    public void offerForReclaim(String bucket, ContentHash hash, long size) {
        database.offerForReclaim(bucket, hash, size);
    }

    /**
     * Straight to the database while it answers; otherwise journaled, for a version this agent
     * knows (journaled, or last seen in the database): the tag set reads back at once and is
     * applied once at replay. A version this agent does not know cannot be judged while the
     * database is down: {@link MetadataUnavailableException}.
     */
    @Override
    public Optional<ObjectRecord> putTags(String bucket, String key, String version, Map<String, String> tags) {
        ObjectKeys.requireValidBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(version);
        Map<String, String> set = ObjectTags.copyOf(tags);
        while (true) {
            if (direct) {
                try {
                    Optional<ObjectRecord> updated = database.putTags(bucket, key, version, set);
                    updated.ifPresent(this::rememberIfKnown);
                    return updated;
                } catch (MetadataUnavailableException e) {
                    // Unknown outcome: journal it too. Setting the same tags twice leaves the same state.
                    unreachable(e);
                }
            }
            Optional<ObjectVersion> target = findVersion(bucket, key, version);
            synchronized (writeRoute) {
                if (!direct) {
                    if (target.isEmpty() || target.get().deleteMarker()) {
                        return Optional.empty();
                    }
                    journal.appendTags(bucket, key, version, set, clock.instant());
                    ObjectRecord tagged = target.get().object().withTags(set);
                    rememberIfKnown(tagged);
                    return Optional.of(tagged);
                }
            }
        }
    }

    /** Keeps the last-known record of the key in step when it is this version. */
    private void rememberIfKnown(ObjectRecord tagged) {
        lastKnown.get(tagged.bucket(), tagged.key()).filter(r -> tagged.version().equals(r.version()))
            .ifPresent(r -> lastKnown.remember(tagged));
    }

    /** A record with the tag set a pending journal entry gives its version, if any ({@code pending} read before the record). */
    private static ObjectRecord tagged(ObjectRecord record, Map<String, Map<String, String>> pending) {
        if (record == null || pending.isEmpty()) {
            return record;
        }
        var tags = pending.get(record.version());
        return tags == null ? record : record.withTags(tags);
    }

    private static Optional<ObjectVersion> taggedVersion(Optional<ObjectVersion> version,
                                                         Map<String, Map<String, String>> pending) {
        if (pending.isEmpty()) {
            return version;
        }
        return version.map(v -> v.object() == null ? v : ObjectVersion.of(tagged(v.object(), pending), v.latest(), v.replacedAt()));
    }

    private List<ObjectVersion> taggedVersions(String bucket, List<ObjectVersion> versions) {
        var pending = journal.pendingTagsIn(bucket);
        if (pending.isEmpty()) {
            return versions;
        }
        return versions.stream().map(v -> taggedVersion(Optional.of(v), pending.getOrDefault(v.key(), Map.of())).get()).toList();
    }

    /**
     * Journaled while the database is unreachable; the object removed is then known only if the
     * key has a journaled write or this agent last saw it in the database, otherwise the result
     * is empty. (A journaled put's
     * {@code replaced} is likewise empty then.) A journaled delete leaves its marker
     * ({@code markerVersion}) at replay when versioning is on.
     */
    /** Only straight to the database: a journal cannot tell which version is current. */
    @Override
    public DeleteOutcome deleteIfCurrent(String bucket, String key, String expectedVersion, String markerVersion) {
        if (!direct) {
            throw new MetadataUnavailableException("a conditional delete needs the metadata database, which cannot be reached right now", null);
        }
        try {
            DeleteOutcome outcome = database.deleteIfCurrent(bucket, key, expectedVersion, markerVersion);
            lastKnown.forget(bucket, key);
            return outcome;
        } catch (MetadataUnavailableException e) {
            unreachable(e);
            throw e;
        }
    }

    @Override
    public DeleteOutcome delete(String bucket, String key, String markerVersion) {
        ObjectKeys.requireValidBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(markerVersion);
        while (true) {
            if (direct) {
                try {
                    DeleteOutcome outcome = database.delete(bucket, key, markerVersion);
                    lastKnown.forget(bucket, key);
                    ownerLedger.delete(outcome.removed(), keepsVersions());
                    return outcome;
                } catch (MetadataUnavailableException e) {
                    unreachable(e);
                }
            }
            Optional<ObjectRecord> inDatabase = journal.lookup(bucket, key).isPresent() ? Optional.empty() : currentInDatabase(bucket, key);
            synchronized (writeRoute) {
                if (!direct) {
                    // A key only the database knows is, to this agent, what it last saw there: a delete of
                    // an object written before the outage is acknowledged as one (and leaves its marker),
                    // rather than answered 404 while it is journaled and applied anyway.
                    Optional<ObjectRecord> removed = journal.lookup(bucket, key).map(p -> Optional.ofNullable(p.record()))
                        .orElseGet(() -> inDatabase.or(() -> lastKnown.get(bucket, key)));
                    journal.appendDelete(bucket, key, markerVersion, clock.instant());
                    lastKnown.forget(bucket, key);
                    ownerLedger.delete(removed, keepsVersions());
                    return new DeleteOutcome(removed, keepsVersions() ? Optional.of(markerVersion) : Optional.empty());
                }
            }
        }
    }

    /**
     * Removes a version for good: only in the database itself, so not while it is unreachable or
     * the journal still holds writes (the version may be one of them).
     */
    @Override
    public Optional<ObjectVersion> deleteVersion(String bucket, String key, String version) {
        if (!direct) {
            throw new MetadataUnavailableException("a version is deleted for good only in the metadata database, which is unreachable"
                + " or still replaying writes journaled during an outage (LOCAL_ONLY): retry later", null);
        }
        try {
            Optional<ObjectVersion> removed = database.deleteVersion(bucket, key, version);
            lastKnown.forget(bucket, key);
            return removed;
        } catch (MetadataUnavailableException e) {
            unreachable(e);
            throw e;
        }
    }

    /** Only while writes go straight to the database: a journaled write may still add versions. */
    @Override
    public int sweepExpired(java.time.Instant now, int limit) {
        if (!direct) {
            return 0;
        }
        return fromDatabase(() -> database.sweepExpired(now, limit));
    }

    // --- reads

    @Override
    public Optional<ObjectRecord> find(String bucket, String key) {
        // Tags first: replay applies an entry before forgetting it, so what is read after is either
        // still pending or in the database already.
        var tags = journal.pendingTagsOf(bucket, key);
        Optional<Pending> pending = journal.lookup(bucket, key);
        if (pending.isPresent()) {
            return Optional.ofNullable(tagged(pending.get().record(), tags));
        }
        try {
            Optional<ObjectRecord> found = fromDatabase(() -> database.find(bucket, key));
            lastKnown.observe(bucket, key, found);
            return found.map(r -> tagged(r, tags));
        } catch (MetadataUnavailableException e) {
            return Optional.of(tagged(lastKnown.get(bucket, key).orElseThrow(() -> e), tags));
        }
    }

    @Override
    public Optional<ObjectVersion> findLatest(String bucket, String key) {
        var tags = journal.pendingTagsOf(bucket, key);
        Optional<Pending> pending = journal.lookup(bucket, key);
        if (pending.isPresent()) {
            return taggedVersion(pendingVersion(pending.get(), true), tags);
        }
        try {
            return taggedVersion(fromDatabase(() -> database.findLatest(bucket, key)), tags);
        } catch (MetadataUnavailableException e) {
            return taggedVersion(Optional.of(lastKnown.get(bucket, key).map(r -> ObjectVersion.of(r, true, null)).orElseThrow(() -> e)), tags);
        }
    }

    @Override
    public Optional<ObjectVersion> findVersion(String bucket, String key, String version) {
        var tags = journal.pendingTagsOf(bucket, key);
        return taggedVersion(findVersionUntagged(bucket, key, version), tags);
    }

    private Optional<ObjectVersion> findVersionUntagged(String bucket, String key, String version) {
        Optional<JournalEntry> journaled = journal.entryOfVersion(bucket, key, version);
        if (journaled.isPresent()) {
            JournalEntry entry = journaled.get();
            boolean latest = journal.lookup(bucket, key).map(p -> p.sequence() == entry.sequence()).orElse(false);
            if (entry.operation() == JournalEntry.Operation.PUT) {
                return Optional.of(ObjectVersion.of(entry.record(), latest, null));
            }
            return keepsVersions()
                ? Optional.of(ObjectVersion.marker(bucket, key, version, 0, latest, Instant.parse(entry.journaledAt()), null))
                : Optional.empty();
        }
        try {
            return fromDatabase(() -> database.findVersion(bucket, key, version));
        } catch (MetadataUnavailableException e) {
            // The version this agent last saw current is still readable: its bytes are by hash.
            return Optional.of(lastKnown.get(bucket, key).filter(r -> version.equals(r.version()))
                .map(r -> ObjectVersion.of(r, true, null)).orElseThrow(() -> e));
        }
    }

    /** Version history is the database's: while writes of the bucket wait in the journal it cannot be listed whole. */
    @Override
    public List<ObjectVersion> listVersions(String bucket, String prefix, VersionCursor after, int limit) {
        if (journal.hasPendingIn(bucket)) {
            throw historyReplaying(bucket);
        }
        return taggedVersions(bucket, fromDatabase(() -> database.listVersions(bucket, prefix, after, limit)));
    }

    @Override
    public List<ObjectVersion> listVersionsOfKey(String bucket, String key, VersionCursor after, int limit) {
        if (journal.lookup(bucket, key).isPresent()) {
            throw historyReplaying(bucket);
        }
        return taggedVersions(bucket, fromDatabase(() -> database.listVersionsOfKey(bucket, key, after, limit)));
    }

    private static MetadataUnavailableException historyReplaying(String bucket) {
        return new MetadataUnavailableException("versions of bucket " + bucket + " written during a metadata outage are not in the"
            + " database yet (LOCAL_ONLY): the version history is listed once they are replayed", null);
    }

    private Optional<ObjectVersion> pendingVersion(Pending pending, boolean latest) {
        if (pending.record() != null) {
            return Optional.of(ObjectVersion.of(pending.record(), latest, null));
        }
        if (!keepsVersions() || pending.version() == null) {
            return Optional.empty();
        }
        Instant at = journal.entryOfVersion(pending.bucket(), pending.key(), pending.version())
            .map(e -> Instant.parse(e.journaledAt())).orElse(clock.instant());
        return Optional.of(ObjectVersion.marker(pending.bucket(), pending.key(), pending.version(), 0, latest, at, null));
    }

    private boolean keepsVersions() {
        return versioning.enabled() && !versioning.retention().keepsNone();
    }

    @Override
    public List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit, String owner) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (journal.isEmpty() || limit == 0) {
            return fromDatabase(() -> database.list(bucket, prefix, startAfter, limit, owner));
        }
        replay.readLock().lock();
        try {
            var tags = journal.pendingTagsIn(bucket);
            List<Pending> pending = journal.pendingIn(bucket, prefix == null ? "" : prefix, startAfter);
            // Each pending delete may hide one row of the page: ask for that many more.
            List<ObjectRecord> stored = fromDatabase(() -> database.list(bucket, prefix, startAfter, limit + pending.size(), owner));
            TreeMap<String, ObjectRecord> merged = new TreeMap<>(KeyOrder.INSTANCE);
            stored.forEach(r -> merged.put(r.key(), r));
            for (Pending p : pending) {
                // A journaled write of the key by another owner hides the row the database lists.
                if (p.record() == null || (owner != null && !owner.equals(p.record().ownerOrDefault()))) {
                    merged.remove(p.key());
                } else {
                    merged.put(p.key(), p.record());
                }
            }
            return new ArrayList<>(merged.values()).subList(0, Math.min(limit, merged.size())).stream()
                .map(r -> tagged(r, tags.getOrDefault(r.key(), Map.of()))).toList();
        } finally {
            replay.readLock().unlock();
        }
    }

    @Override
    public OptionalLong blobReferences(String bucket, ContentHash hash) {
        if (journal.holdsReference(bucket, hash)) {
            // A journaled write refers to it: live, whatever the database says until the replay.
            return OptionalLong.of(1);
        }
        return fromDatabase(() -> database.blobReferences(bucket, hash));
    }

    /** The database's usage, corrected by what replaying the bucket's journaled writes will change. */
    @Override
    public Usage usage(String bucket) {
        if (!journal.hasPendingIn(bucket)) {
            return fromDatabase(() -> database.usage(bucket));
        }
        replay.readLock().lock();
        try {
            List<Pending> pending = journal.pendingIn(bucket, "", null);
            Usage stored = fromDatabase(() -> database.usage(bucket));
            long bytes = stored.bytes();
            long objects = stored.objects();
            for (Pending p : pending) {
                Optional<ObjectRecord> before = fromDatabase(() -> database.find(bucket, p.key()));
                if (before.isPresent()) {
                    if (!keepsVersions()) {
                        // With versioning the replaced version is kept, and its bytes still count.
                        bytes -= before.get().size();
                    }
                    objects--;
                }
                if (p.record() != null) {
                    bytes += p.record().size();
                    objects++;
                }
            }
            return new Usage(bytes, objects);
        } finally {
            replay.readLock().unlock();
        }
    }

    /**
     * The database's figure while writes go straight to it (remembered); otherwise, or when it
     * cannot be reached, {@link OwnerUsageLedger}'s.
     */
    @Override
    public Usage ownerUsage(String bucket, String owner) {
        if (direct || (reachable && !journal.hasPendingIn(bucket))) {
            try {
                Usage usage = fromDatabase(() -> database.ownerUsage(bucket, owner));
                ownerLedger.read(bucket, owner, usage);
                return usage;
            } catch (MetadataUnavailableException e) {
                return ownerLedger.get(bucket, owner).orElseThrow(() -> e);
            }
        }
        return ownerLedger.get(bucket, owner).orElseThrow(() -> new MetadataUnavailableException("the usage of owner " + owner
            + " in bucket " + bucket + " is in the metadata database, which this agent has not read since it started, and the"
            + " database is unreachable or still replaying writes journaled during an outage (LOCAL_ONLY)", null));
    }

    /** Unreferenced in the database and not used by a journaled write. */
    @Override
    public List<BlobRef> unreferencedBlobs(int limit) {
        return fromDatabase(() -> database.unreferencedBlobs(limit)).stream()
            .filter(b -> !journal.holdsReference(b.bucket(), b.hash()))
            .toList();
    }

    @Override
    public List<BlobRef> unreferencedBlobs(Instant before, int limit) {
        return fromDatabase(() -> database.unreferencedBlobs(before, limit)).stream()
            .filter(b -> !journal.holdsReference(b.bucket(), b.hash()))
            .toList();
    }

    @Override
    public boolean reclaim(BlobRef blob, Runnable deleteBytes) {
        ReentrantLock blobLock = blobLock(blob.bucket(), blob.hash());
        blobLock.lock();
        try {
            if (journal.holdsReference(blob.bucket(), blob.hash())) {
                return false;
            }
            return fromDatabase(() -> database.reclaim(blob, deleteBytes));
        } finally {
            blobLock.unlock();
        }
    }

    // --- health and replay

    /** True while writes go straight to the database (nothing journaled, database answering). */
    boolean writingToDatabase() {
        return direct;
    }

    int journaledWrites() {
        return journal.size();
    }

    void replayTick() {
        try {
            if (direct && probedOnce) {
                return;
            }
            // The first tick checks the database even with an empty journal, so an agent that
            // starts while it is down reports LOCAL_ONLY at once rather than at the first request.
            database.ping();
            reachable = true;
            probedOnce = true;
            replayJournal();
            lastReplayFailure = null;
        } catch (MetadataUnavailableException e) {
            probedOnce = true;
            unreachable(e);
        } catch (RuntimeException e) {
            // Not an outage: an entry the database refuses. Keep it (it was acknowledged) and say so;
            // the mode stays LOCAL_ONLY until a person looks. Logged once per distinct failure.
            String reason = "journaled metadata writes cannot be replayed: " + DatabaseFailures.rootMessage(e);
            if (!reason.equals(lastReplayFailure)) {
                LOG.error("metadata journal replay failed; retrying every {}", probeInterval, e);
                lastReplayFailure = reason;
            }
            mode.report(Signal.METADATA, false, reason);
        }
    }

    private void replayJournal() {
        int applied = 0;
        int skipped = 0;
        while (true) {
            List<JournalEntry> batch = journal.pending();
            if (batch.isEmpty()) {
                synchronized (writeRoute) {
                    if (journal.isEmpty()) {
                        // Under the route lock, so a failure reported meanwhile is not overwritten.
                        direct = true;
                        mode.report(Signal.METADATA, true, null);
                        break;
                    }
                }
                continue;
            }
            for (JournalEntry entry : batch) {
                replay.writeLock().lock();
                try {
                    if (database.apply(entry)) {
                        applied++;
                    } else {
                        skipped++;
                    }
                    journal.remove(entry);
                } finally {
                    replay.writeLock().unlock();
                }
            }
        }
        if (applied + skipped > 0) {
            LOG.info("metadata journal replayed: {} write(s) applied, {} already applied before a restart", applied, skipped);
            try {
                database.forgetAppliedBefore(clock.instant().minus(APPLIED_RETENTION));
            } catch (RuntimeException e) {
                LOG.warn("cannot prune applied_journal: {}", e.toString());
            }
        }
    }

    private void unreachable(MetadataUnavailableException e) {
        reachable = false;
        synchronized (writeRoute) {
            direct = false;
            mode.report(Signal.METADATA, false, "database unreachable: " + DatabaseFailures.rootMessage(e));
        }
    }

    private <T> T fromDatabase(Supplier<T> read) {
        if (!reachable) {
            throw new MetadataUnavailableException("the metadata database is unreachable (LOCAL_ONLY) and the local journal does not know this", null);
        }
        try {
            return read.get();
        } catch (MetadataUnavailableException e) {
            unreachable(e);
            throw e;
        }
    }

    /**
     * The object a journaled write will replace, when the database can still say (during replay).
     * Asked before taking the route lock: a database that just went away may take a connection
     * timeout to say so, and journaled writes must not queue behind that.
     */
    private Optional<ObjectRecord> currentInDatabase(String bucket, String key) {
        if (!reachable) {
            return Optional.empty();
        }
        try {
            return database.find(bucket, key);
        } catch (MetadataUnavailableException e) {
            unreachable(e);
            return Optional.empty();
        }
    }

    private ReentrantLock blobLock(String bucket, ContentHash hash) {
        return blobLocks[Math.floorMod(Objects.hash(bucket, hash.hex()), blobLocks.length)];
    }
}
