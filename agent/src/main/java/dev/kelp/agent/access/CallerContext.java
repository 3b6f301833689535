package dev.kelp.agent.access;

import io.micronaut.http.context.ServerRequestContext;
import java.util.function.Supplier;

/**
 * The caller of the work running now. The native API's filter puts it on the request (Micronaut
 * propagates the request to the controller's thread); the S3 door and the agent's own tasks set it
 * on their thread with {@link #runAs}. Ambient rather than a parameter so that every entry point of
 * the engine is judged the same way without each door passing it through every call.
 */
public final class CallerContext {

    /** The request attribute the native API's filter stores the caller under. */
    public static final String ATTRIBUTE = "kelp.caller";

    private static final ThreadLocal<Caller> CURRENT = new ThreadLocal<>();

    private CallerContext() {
    }

    /**
     * The caller set by {@link #runAs} on this thread, else the one of the HTTP request being
     * served, else (no request: the agent's own work, such as sync or a backup) the agent.
     */
    public static Caller current() {
        Caller set = CURRENT.get();
        if (set != null) {
            return set;
        }
        return ServerRequestContext.currentRequest()
            .map(r -> r.getAttribute(ATTRIBUTE, Caller.class).orElseGet(Caller::anonymous))
            .orElseGet(() -> Caller.agent(Caller.DEFAULT_OWNER));
    }

    public static <T> T runAs(Caller caller, Supplier<T> work) {
        try (Scope ignored = enter(caller)) {
            return work.get();
        }
    }

    /** Makes {@code caller} this thread's caller until the scope is closed. */
    public static Scope enter(Caller caller) {
        Caller before = CURRENT.get();
        CURRENT.set(caller);
        return () -> {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        };
    }

    /** A caller set on a thread, until closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
