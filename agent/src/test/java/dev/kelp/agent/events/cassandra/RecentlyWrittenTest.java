package dev.kelp.agent.events.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.events.AgentEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentlyWrittenTest {

    static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void keepsOnlyWhatWasWrittenWithinTheWindowOldestFirst() {
        var recent = new RecentlyWritten(Duration.ofSeconds(15), 1000);
        List<AgentEvent> old = EventSpoolTest.events(0, 3);
        List<AgentEvent> fresh = EventSpoolTest.events(3, 6);
        recent.add(old, 0);
        recent.add(fresh, 10 * SECOND);

        assertThat(recent.drain(20 * SECOND)).as("the first three are 20 s old").containsExactlyElementsOf(fresh);
        assertThat(recent.drain(20 * SECOND)).as("a drain forgets").isEmpty();
    }

    @Test
    void isBoundedInCountAndCanBeTurnedOff() {
        var bounded = new RecentlyWritten(Duration.ofSeconds(15), 4);
        List<AgentEvent> ten = EventSpoolTest.events(0, 10);
        bounded.add(ten, 0);
        assertThat(bounded.drain(0)).containsExactlyElementsOf(ten.subList(6, 10));

        var off = new RecentlyWritten(Duration.ZERO, 1000);
        off.add(ten, 0);
        assertThat(off.size()).isZero();
    }
}
