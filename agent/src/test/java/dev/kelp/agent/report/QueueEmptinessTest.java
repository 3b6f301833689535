package dev.kelp.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueueEmptinessTest {

    @Test
    void flipsWhenTheQueueFillsAndWhenItIsDrainedButNotWhileItGrows() {
        var queue = new QueueEmptiness();
        assertThat(queue.flipped(0)).as("empty as at start").isFalse();
        assertThat(queue.flipped(1)).as("the first object of an outage").isTrue();
        assertThat(queue.flipped(380)).as("growing: the heartbeat carries it").isFalse();
        assertThat(queue.flipped(12)).as("draining").isFalse();
        assertThat(queue.flipped(0)).as("drained").isTrue();
        assertThat(queue.flipped(0)).isFalse();
    }
}
