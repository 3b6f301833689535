package dev.kelp.agent.tiering;

import dev.kelp.agent.metadata.TierMetadata;
import dev.kelp.agent.object.StorageConfig;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * What the policy's objects cost per tier, per bucket and per rule: objects and bytes hot and
 * cold, priced by {@code kelp.tiering.*-price-per-gib-month}. An estimate of storage only (no
 * requests, no transfer), from the metadata database at the moment of asking.
 */
@Singleton
public class CostReport {

    private static final double GIB = 1024d * 1024 * 1024;

    private final StorageConfig storage;
    private final TierRules rules;
    private final TierMetadata metadata;
    private final TieringConfig config;
    private final Clock clock = Clock.systemUTC();

    CostReport(StorageConfig storage, TierRules rules, TierMetadata metadata, TieringConfig config) {
        this.storage = storage;
        this.rules = rules;
        this.metadata = metadata;
        this.config = config;
    }

    public Report report() {
        var prices = new Prices(config.currency(), config.hotPricePerGibMonth(), config.coldPricePerGibMonth());
        var buckets = new ArrayList<Usage>();
        var byRule = new ArrayList<Usage>();
        for (String bucket : storage.buckets()) {
            buckets.add(usage(null, bucket, TierMatcher.EVERYTHING, prices));
            for (TierRule rule : rules.all()) {
                byRule.add(usage(rule.name(), bucket, rule.matcher(), prices));
            }
        }
        Tier hot = new Tier(buckets.stream().mapToLong(u -> u.hot().objects()).sum(), buckets.stream().mapToLong(u -> u.hot().bytes()).sum());
        Tier cold = new Tier(buckets.stream().mapToLong(u -> u.cold().objects()).sum(), buckets.stream().mapToLong(u -> u.cold().bytes()).sum());
        var total = new Usage(null, null, hot, cold, cost(hot.bytes(), cold.bytes(), prices), cost(hot.bytes() + cold.bytes(), 0, prices));
        return new Report(clock.instant().toString(), prices, total, buckets, byRule);
    }

    private Usage usage(String rule, String bucket, TierMatcher matcher, Prices prices) {
        long hotObjects = 0;
        long hotBytes = 0;
        long coldObjects = 0;
        long coldBytes = 0;
        for (var t : metadata.tally(bucket, matcher.prefix(), matcher.minSize(), matcher.maxSize())) {
            if (!matcher.matchesType(t.contentType())) {
                continue;
            }
            if (t.cold()) {
                coldObjects += t.objects();
                coldBytes += t.bytes();
            } else {
                hotObjects += t.objects();
                hotBytes += t.bytes();
            }
        }
        return new Usage(rule, bucket, new Tier(hotObjects, hotBytes), new Tier(coldObjects, coldBytes),
            cost(hotBytes, coldBytes, prices), cost(hotBytes + coldBytes, 0, prices));
    }

    /** The monthly cost of these bytes at these prices, rounded to a hundredth of a cent. */
    static double cost(long hotBytes, long coldBytes, Prices prices) {
        double cost = hotBytes / GIB * prices.hotPerGibMonth() + coldBytes / GIB * prices.coldPerGibMonth();
        return Math.round(cost * 10_000) / 10_000d;
    }

    /**
     * @param generatedAt when the figures were read
     * @param total       every bucket together
     * @param buckets     per bucket, every object
     * @param rules       per rule and bucket, the objects the rule matches
     */
    @Serdeable
    public record Report(String generatedAt, Prices prices, Usage total, List<Usage> buckets, List<Usage> rules) {
    }

    /**
     * What storage costs per GiB-month in each tier (kelp.tiering.*-price-per-gib-month)
     *
     * @param currency        the unit of both prices
     * @param hotPerGibMonth  one GiB for a month in the policy's buckets
     * @param coldPerGibMonth one GiB for a month on the cold targets
     */
    @Serdeable
    public record Prices(String currency, double hotPerGibMonth, double coldPerGibMonth) {
    }

    /**
     * @param rule                  the rule these objects match; absent for a bucket's or the total line
     * @param bucket                absent for the total line
     * @param estimatedMonthlyCost  at the prices, with hot and cold as they are now
     * @param monthlyCostIfAllHot   the same bytes all hot: what tiering saves is the difference
     */
    @Serdeable
    public record Usage(String rule, String bucket, Tier hot, Tier cold, double estimatedMonthlyCost, double monthlyCostIfAllHot) {
    }

    /**
     * Objects and their bytes in one tier
     *
     * @param objects current objects whose content is in this tier
     * @param bytes   their sizes added up (a blob shared by several objects counts for each)
     */
    @Serdeable
    public record Tier(long objects, long bytes) {
    }
}
