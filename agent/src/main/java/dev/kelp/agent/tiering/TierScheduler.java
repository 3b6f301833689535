package dev.kelp.agent.tiering;

import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each tier rule every {@code kelp.tiering.interval}, on a virtual thread of its own. Every
 * agent of the policy tries; the lease lets one run at a time. The first run comes after a
 * random part of the interval, so agents started together do not all try at once.
 */
@Context
final class TierScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(TierScheduler.class);

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    // The runner is resolved when a rule first runs, not at start: an eager bean that built the
    // engine would turn a bad setting of another part into a failure of the whole context.
    TierScheduler(TierRules rules, TieringConfig config, BeanProvider<TierRunner> runner) {
        for (TierRule rule : rules.all()) {
            threads.add(Thread.ofVirtual().name("kelp-tier-" + rule.name()).start(() -> loop(rule, config, runner)));
        }
    }

    private void loop(TierRule rule, TieringConfig config, BeanProvider<TierRunner> runner) {
        long every = config.interval().toMillis();
        long wait = ThreadLocalRandom.current().nextLong(every / 2, every + 1);
        while (!stopping) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            wait = every;
            try {
                runner.get().runIfLeaseFree(rule);
            } catch (RuntimeException e) {
                // e.g. the metadata database is down, so no lease can be had: the next interval tries again.
                LOG.warn("tier rule {} could not run: {}", rule.name(), e.getMessage());
            }
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        threads.forEach(Thread::interrupt);
    }
}
