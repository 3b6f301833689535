package dev.kelp.operator.policy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers what was last announced as an Event for each resource, so that one change is
 * announced once. The stored status alone is not enough: a reconcile that runs right after
 * another may still see the resource from before the other's status patch reached the cache.
 * After a restart the stored status is the memory.
 */
public final class Announcements {

    private final Map<String, String> lastAnnounced = new ConcurrentHashMap<>();

    /** True, once, when the observation's status or reason differs from what was last announced or stored. */
    public boolean isNews(HasMetadata resource, List<Condition> stored, Conditions.Observation observation) {
        String value = observation.status() + "/" + observation.reason();
        String before = Conditions.find(stored, observation.type()).map(c -> c.getStatus() + "/" + c.getReason()).orElse(null);
        String previous = lastAnnounced.put(key(resource, observation.type()), value);
        return !value.equals(previous != null ? previous : before);
    }

    /** True, once, when {@code value} (e.g. a config hash) differs from the last one seen or stored. */
    public boolean changed(HasMetadata resource, String what, String stored, String value) {
        String previous = lastAnnounced.put(key(resource, what), value);
        return !value.equals(previous != null ? previous : stored);
    }

    /** What was last announced under {@code what}, or {@code stored} when nothing was. */
    public String last(HasMetadata resource, String what, String stored) {
        return lastAnnounced.getOrDefault(key(resource, what), stored);
    }

    public void forget(HasMetadata resource) {
        String prefix = resource.getMetadata().getUid() + "/";
        lastAnnounced.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private static String key(HasMetadata resource, String what) {
        return resource.getMetadata().getUid() + "/" + what;
    }
}
