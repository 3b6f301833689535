package dev.kelp.agent.config;

import io.micronaut.core.convert.format.Format;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code long} configuration value as a size in bytes written the way people write
 * sizes: {@code 1048576}, {@code 512KiB}, {@code 64Mi}, {@code 10GB}, {@code 1TiB}. Unlike
 * Micronaut's {@code @ReadableBytes}, an unreadable value (say {@code 10 gigs}) fails the
 * startup with a message instead of silently binding the default.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Format("BYTES")
public @interface ByteSize {
}
