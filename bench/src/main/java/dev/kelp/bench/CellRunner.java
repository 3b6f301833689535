package dev.kelp.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code ops} operations at {@code concurrency} and records each one's latency. */
final class CellRunner {

    interface Op {
        void run(int index) throws Exception;
    }

    private CellRunner() {
    }

    static Stats run(int ops, int concurrency, long bytesPerOp, Op op) throws Exception {
        long[] latencies = new long[ops];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < ops; i = next.getAndIncrement()) {
                        long t = System.nanoTime();
                        op.run(i);
                        latencies[i] = System.nanoTime() - t;
                    }
                    return null;
                }));
            }
            for (var worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Stats(latencies, System.nanoTime() - start, bytesPerOp);
    }
}
