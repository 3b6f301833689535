package dev.kelp.agent.encryption;

import java.util.Optional;

/**
 * What re-wrapping one blob's key came to.
 *
 * @param state    whether the blob was already under the active key, was re-wrapped, or is
 *                 under a key this agent does not hold (left alone)
 * @param kekId    the key it was under
 * @param override the new key record to store ({@link State#REWRAPPED} only)
 */
public record Rewrap(State state, String kekId, Optional<byte[]> override) {

    public enum State { CURRENT, REWRAPPED, UNKNOWN_KEY }
}
