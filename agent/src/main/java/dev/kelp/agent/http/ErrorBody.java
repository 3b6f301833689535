package dev.kelp.agent.http;

import io.micronaut.serde.annotation.Serdeable;

/** The JSON body of every error the API returns: a stable code to match on, a message for people. */
@Serdeable
public record ErrorBody(String code, String message) {
}
