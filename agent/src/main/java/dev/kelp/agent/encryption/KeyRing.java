package dev.kelp.agent.encryption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys an agent holds at one time: the active one, which wraps every new data key, and
 * older ones still accepted for unwrapping until the re-wrapper has moved every blob off
 * them. Immutable; a rotation replaces the whole ring.
 */
public final class KeyRing {

    private final Kek active;
    private final Map<String, Kek> byId = new LinkedHashMap<>();

    public KeyRing(Kek active, List<Kek> previous) {
        this.active = active;
        byId.put(active.idHex(), active);
        for (Kek kek : previous) {
            byId.putIfAbsent(kek.idHex(), kek);
        }
    }

    public Kek active() {
        return active;
    }

    public Optional<Kek> find(byte[] id) {
        return Optional.ofNullable(byId.get(Kek.hex(id)));
    }

    /** Ids of all keys, the active first: what identifies the ring when files are re-read. */
    public List<String> ids() {
        return new ArrayList<>(byId.keySet());
    }

    @Override
    public String toString() {
        return "KeyRing[active " + active.idHex() + ", accepted " + ids() + "]";
    }
}
