package dev.kelp.operator.policy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the standard conditions of every Kelp status in one place, so that
 * {@code lastTransitionTime} only moves when a condition's status flips and each type appears once.
 */
public final class Conditions {

    public static final String READY = "Ready";
    public static final String DEGRADED = "Degraded";

    public static final String TRUE = "True";
    public static final String FALSE = "False";

    private Conditions() {
    }

    /** What a reconcile observed for one condition type. */
    public record Observation(String type, boolean holds, String reason, String message) {

        public String status() {
            return holds ? TRUE : FALSE;
        }
    }

    /**
     * The conditions after {@code observation}: the one of its type replaced in place (or appended),
     * keeping the previous transition time when the status did not change.
     */
    public static List<Condition> with(List<Condition> previous, Observation observation, Long generation, Instant now) {
        Optional<Condition> before = find(previous, observation.type());
        String transition = before.filter(c -> observation.status().equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .orElse(now.toString());
        Condition next = new ConditionBuilder()
            .withType(observation.type()).withStatus(observation.status())
            .withReason(observation.reason()).withMessage(observation.message())
            .withObservedGeneration(generation).withLastTransitionTime(transition)
            .build();
        var conditions = new ArrayList<Condition>();
        boolean replaced = false;
        for (Condition c : previous == null ? List.<Condition>of() : previous) {
            if (observation.type().equals(c.getType())) {
                if (!replaced) {
                    conditions.add(next);
                    replaced = true;
                }
            } else {
                conditions.add(c);
            }
        }
        if (!replaced) {
            conditions.add(next);
        }
        return conditions;
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /**
     * True when {@code observation} says something a person should hear about: the condition is
     * new, or its status or reason differs from before. A changed count in the message is not news.
     */
    public static boolean isNews(List<Condition> previous, Observation observation) {
        return find(previous, observation.type())
            .map(c -> !observation.status().equals(c.getStatus()) || !Objects.equals(observation.reason(), c.getReason()))
            .orElse(true);
    }
}
