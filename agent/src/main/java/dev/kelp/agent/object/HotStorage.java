package dev.kelp.agent.object;

import dev.kelp.agent.blob.BlobContentMismatchException;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.sync.SyncQueue;
import java.util.Optional;

/**
 * Where a blob's bytes go when the agent stores them hot, for an app's write and for a cold
 * blob promoted back alike: SeaweedFS in FULL mode; otherwise, or when SeaweedFS fails this
 * write, the fallback volume with a sync-queue entry that drains it to SeaweedFS later. Bytes
 * SeaweedFS refuses because they do not hash to their name ({@link BlobContentMismatchException})
 * are not an outage and do not fall back: the fallback volume would take the same wrong bytes.
 */
public final class HotStorage {

    private final BlobStore local;
    private final Optional<BlobStore> remote;
    private final SyncQueue syncQueue;
    private final ModeMonitor mode;

    public HotStorage(BlobStore local, Optional<BlobStore> remote, SyncQueue syncQueue, ModeMonitor mode) {
        this.local = local;
        this.remote = remote;
        this.syncQueue = syncQueue;
        this.mode = mode;
    }

    /** @return true when SeaweedFS took it, false when the fallback volume did */
    public boolean store(String bucket, StagedBlob staged) {
        if (mode.current().mode() == Mode.FULL && remote.isPresent()) {
            try {
                remote.get().put(bucket, staged);
                return true;
            } catch (BlobStoreUnavailableException e) {
                // SeaweedFS failed this write: the fallback volume takes it, nothing fails.
            }
        }
        local.put(bucket, staged.hash(), staged.file(), staged.size());
        if (remote.isPresent()) {
            syncQueue.enqueue(bucket, staged.hash(), staged.size());
        }
        return false;
    }
}
