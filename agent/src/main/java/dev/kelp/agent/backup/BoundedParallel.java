package dev.kelp.agent.backup;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs tasks on virtual threads, at most {@code limit} at a time, for copies whose time is
 * spent waiting on the network: the submitter blocks while {@code limit} are in flight (so a
 * snapshot of millions of objects never queues millions of tasks), and the first failure
 * stops further submissions and is rethrown by {@link #awaitAll}.
 */
final class BoundedParallel implements AutoCloseable {

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore permits;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    BoundedParallel(int limit) {
        this.permits = new Semaphore(limit);
    }

    /** Throws the first failure of an earlier task instead of submitting. */
    void submit(Runnable task) {
        rethrow();
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        executor.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                permits.release();
            }
        });
    }

    /** Waits for every task submitted, then throws the first failure, if any. */
    void awaitAll() {
        executor.shutdown();
        try {
            while (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                // keep waiting: each task is bounded by its own client timeouts
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        rethrow();
    }

    private void rethrow() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
