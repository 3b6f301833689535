package dev.kelp.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.LoggerFactory;

/**
 * Netty's leak detector at its paranoid level (every buffer tracked) while a test runs, and the
 * leaks it reports. It reports a buffer that was garbage-collected unreleased when a later buffer
 * is tracked, so {@link #assertNoLeaks} collects garbage and makes more traffic a few times first.
 */
public final class NettyLeakWatch implements AutoCloseable {

    private final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
    private final ListAppender<ILoggingEvent> reports = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);

    public NettyLeakWatch() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        reports.start();
        logger.addAppender(reports);
    }

    /** A request or two that allocate buffers, so pending leaks get reported. */
    @FunctionalInterface
    public interface Traffic {
        void run() throws Exception;
    }

    public void assertNoLeaks(Traffic traffic) throws Exception {
        for (int round = 0; round < 5 && reports.list.isEmpty(); round++) {
            System.gc();
            Thread.sleep(100);
            traffic.run();
        }
        assertThat(reports.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(message -> message.contains("LEAK"));
    }

    @Override
    public void close() {
        logger.detachAppender(reports);
        ResourceLeakDetector.setLevel(before);
    }
}
