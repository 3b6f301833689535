package dev.kelp.agent;

import io.micronaut.runtime.Micronaut;

/** The Kelp sidecar: serves the apps of its pod on loopback. */
public final class KelpAgent {

    private KelpAgent() {
    }

    public static void main(String[] args) {
        Micronaut.build(args)
            .mainClass(KelpAgent.class)
            .banner(false)
            .start();
    }
}
