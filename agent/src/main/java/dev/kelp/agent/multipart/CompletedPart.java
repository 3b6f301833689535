package dev.kelp.agent.multipart;

import io.micronaut.serde.annotation.Serdeable;

/**
 * One entry of a complete request: which part, and the ETag the client got for it, quoted
 * or not. The ETag proves the client means the part the agent holds, not an older upload
 * of the same number.
 */
@Serdeable
public record CompletedPart(Integer partNumber, String etag) {
}
