package dev.kelp.bench;

import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;

/** The agent's native API: /v1/objects/{bucket}/{key}. */
final class AgentTarget extends Target {

    private final String base;
    private final String bucket;

    AgentTarget(SdkHttpClient http, String base, String bucket) {
        super(http);
        this.base = base;
        this.bucket = bucket;
    }

    @Override
    String name() {
        return "agent";
    }

    @Override
    Request put(String key, long size) {
        return new Request(URI.create(base + "/v1/objects/" + bucket + "/" + key), Map.of());
    }

    @Override
    Request get(String key) {
        return new Request(URI.create(base + "/v1/objects/" + bucket + "/" + key), Map.of());
    }
}
