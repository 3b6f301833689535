package dev.kelp.agent.mode;

import java.time.Instant;
import java.util.List;

/** The agent's mode, since when, and the reasons it is not FULL (empty when it is). */
public record ModeState(Mode mode, Instant since, List<String> reasons) {

    public ModeState {
        reasons = List.copyOf(reasons);
    }
}
