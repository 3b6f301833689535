package dev.kelp.agent.config;

import io.micronaut.core.convert.ConversionContext;
import io.micronaut.core.convert.MutableConversionService;
import io.micronaut.core.convert.TypeConverterRegistrar;
import io.micronaut.core.convert.format.FormattingTypeConverter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads {@link ByteSize} values. Every unit is a power of 1024 however it is written
 * ({@code GiB}, Kubernetes' {@code Gi}, or {@code GB} as Micronaut reads it), so a figure
 * copied from a volume's size means the same bytes here.
 * Loaded as a service ({@code META-INF/services}), not as a bean: Micronaut converts
 * {@code @Bindable} default values with its shared conversion service, which only knows
 * service-loaded converters.
 */
public final class ByteSizeConverter implements FormattingTypeConverter<CharSequence, Long, ByteSize>, TypeConverterRegistrar {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([a-z]*)");
    private static final Map<String, Integer> SHIFT_BY_UNIT = Map.ofEntries(
        Map.entry("", 0), Map.entry("b", 0),
        Map.entry("k", 10), Map.entry("kb", 10), Map.entry("ki", 10), Map.entry("kib", 10),
        Map.entry("m", 20), Map.entry("mb", 20), Map.entry("mi", 20), Map.entry("mib", 20),
        Map.entry("g", 30), Map.entry("gb", 30), Map.entry("gi", 30), Map.entry("gib", 30),
        Map.entry("t", 40), Map.entry("tb", 40), Map.entry("ti", 40), Map.entry("tib", 40));

    @Override
    public void register(MutableConversionService conversionService) {
        conversionService.addConverter(CharSequence.class, Long.class, this);
    }

    @Override
    public Class<ByteSize> annotationType() {
        return ByteSize.class;
    }

    @Override
    public Optional<Long> convert(CharSequence value, Class<Long> targetType, ConversionContext context) {
        // Thrown, not rejected: a rejected value makes Micronaut bind the default instead.
        return Optional.of(parse(value.toString()));
    }

    public static long parse(String text) {
        var matcher = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        Integer shift = matcher.matches() ? SHIFT_BY_UNIT.get(matcher.group(2)) : null;
        if (shift == null) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write a whole number of bytes, optionally followed by KiB, MiB, GiB or TiB");
        }
        try {
            long count = Long.parseLong(matcher.group(1));
            if (count > Long.MAX_VALUE >> shift) {
                throw new IllegalArgumentException("'" + text + "' is larger than " + Long.MAX_VALUE + " bytes");
            }
            return count << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is larger than " + Long.MAX_VALUE + " bytes", e);
        }
    }
}
