package dev.kelp.bench.operator;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of durations in milliseconds. */
record Percentiles(double[] millis) {

    Percentiles {
        millis = millis.clone();
        Arrays.sort(millis);
    }

    static Percentiles ofNanos(long[] nanos) {
        return new Percentiles(Arrays.stream(nanos).mapToDouble(n -> n / 1e6).toArray());
    }

    int count() {
        return millis.length;
    }

    /** {@code p} in (0, 100]. */
    double at(double p) {
        if (millis.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * millis.length);
        return millis[Math.max(0, Math.min(millis.length - 1, rank - 1))];
    }

    double max() {
        return millis.length == 0 ? Double.NaN : millis[millis.length - 1];
    }
}
