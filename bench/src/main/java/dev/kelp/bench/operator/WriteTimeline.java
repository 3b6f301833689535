package dev.kelp.bench.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The API server's write counters and the operator's RSS sampled every few seconds through
 * phase (c), so the report can give the peak rate inside a window, not only its average, and
 * the RSS while agents report. Left in the work dir as CSV.
 */
final class WriteTimeline implements AutoCloseable {

    /** One sample: seconds since the start, cumulative writes per resource and verb, operator RSS. */
    record Sample(double seconds, Map<String, Long> writes, long rssBytes) {

        long total(String resourcePrefix) {
            return writes.entrySet().stream().filter(e -> e.getKey().startsWith(resourcePrefix)).mapToLong(Map.Entry::getValue).sum();
        }
    }

    private final KubernetesClient client;
    private final OperatorProcess operator;
    private final ApiServerMetrics.Snapshot origin;
    private final long start = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    WriteTimeline(KubernetesClient client, OperatorProcess operator, long periodMillis) {
        this.client = client;
        this.operator = operator;
        this.origin = ApiServerMetrics.scrape(client);
        timer.scheduleAtFixedRate(this::sample, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    double now() {
        return (System.nanoTime() - start) / 1e9;
    }

    private void sample() {
        try {
            double at = now();
            var writes = ApiServerMetrics.scrape(client).minus(origin).writesByResource();
            long rss = operator.rssBytes();
            synchronized (samples) {
                samples.add(new Sample(at, writes, rss));
            }
        } catch (Exception e) {
            System.err.println("timeline sample failed: " + e);
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** Highest rate of writes to resources starting with {@code prefix} between two consecutive samples in [from, to]. */
    double peakPerSecond(String prefix, double from, double to) {
        List<Sample> s = samples();
        double peak = 0;
        for (int i = 1; i < s.size(); i++) {
            if (s.get(i - 1).seconds() >= from && s.get(i).seconds() <= to) {
                double dt = s.get(i).seconds() - s.get(i - 1).seconds();
                peak = Math.max(peak, (s.get(i).total(prefix) - s.get(i - 1).total(prefix)) / dt);
            }
        }
        return peak;
    }

    long maxRss(double from, double to) {
        return samples().stream().filter(x -> x.seconds() >= from && x.seconds() <= to).mapToLong(Sample::rssBytes).max().orElse(-1);
    }

    void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("seconds,storagepolicies_status,events,configmaps,leases,all_writes,operator_rss_mib");
        for (Sample s : samples()) {
            lines.add(String.format(Locale.ROOT, "%.1f,%d,%d,%d,%d,%d,%.1f", s.seconds(), s.total("storagepolicies/status"),
                s.total("events"), s.total("configmaps"), s.total("leases"), s.total(""), s.rssBytes() / 1048576.0));
        }
        Files.write(file, lines);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
