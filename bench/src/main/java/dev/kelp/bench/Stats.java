package dev.kelp.bench;

import java.util.Arrays;

/** Latencies of one cell and the wall time it took: throughput and percentiles. */
record Stats(long[] latenciesNanos, long wallNanos, long bytesPerOp) {

    Stats {
        latenciesNanos = latenciesNanos.clone();
        Arrays.sort(latenciesNanos);
    }

    int ops() {
        return latenciesNanos.length;
    }

    double opsPerSecond() {
        return ops() / (wallNanos / 1e9);
    }

    double mibPerSecond() {
        return opsPerSecond() * bytesPerOp / (1024.0 * 1024.0);
    }

    /** Nearest-rank percentile in milliseconds, {@code p} in (0, 100]. */
    double percentileMillis(double p) {
        if (latenciesNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * latenciesNanos.length);
        return latenciesNanos[Math.max(0, Math.min(latenciesNanos.length - 1, rank - 1))] / 1e6;
    }
}
