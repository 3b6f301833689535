package dev.kelp.agent;

import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;

/** The Kelp sidecar: serves the apps of its pod on loopback. */
@OpenAPIDefinition(info = @Info(
    title = "Kelp agent API",
    version = "v1",
    description = "Object storage for the apps of one pod, on loopback: stored in SeaweedFS when it can be, "
        + "on the pod's fallback volume when it cannot, and synced back by the agent itself."))
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
