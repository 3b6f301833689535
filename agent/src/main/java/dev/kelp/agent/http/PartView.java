package dev.kelp.agent.http;

import dev.kelp.agent.multipart.PartInfo;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

/** One part of a multipart upload as the API shows it. */
@Serdeable
@Schema(description = "One uploaded part")
public record PartView(
    @Schema(description = "Part number, 1-10000") int partNumber,
    @Schema(description = "Bytes in the part") long size,
    @Schema(description = "Quoted SHA-256 of the part, hex; name it in the complete request") String etag) {

    static PartView of(PartInfo part) {
        return new PartView(part.partNumber(), part.size(), "\"" + part.sha256() + "\"");
    }
}
