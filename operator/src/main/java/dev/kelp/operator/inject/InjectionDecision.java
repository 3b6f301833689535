package dev.kelp.operator.inject;

import com.fasterxml.jackson.databind.node.ArrayNode;

/** What the webhook answers for one pod. */
public sealed interface InjectionDecision {

    /** Admit as it is: not selected, or already injected. */
    record Untouched(String why) implements InjectionDecision {
    }

    /** Admit with the agent. */
    record Inject(String policy, ArrayNode patch) implements InjectionDecision {
    }

    /** Refuse the pod; the API server shows the message to whoever created it. */
    record Refuse(String message) implements InjectionDecision {
    }

    /** Admit without the agent, as the policy (or the operator default) allows, and warn. */
    record AdmitWithoutAgent(String policy, String message) implements InjectionDecision {
    }
}
