package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoint's own JSON writer and reader: what one writes the other reads back, and bad text is refused with
 * its offset.
 */
class JsonTest
{
    @Test
    void whatIsWrittenReadsBack()
    {
        final Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n tab \t <script> & \u0001 é");
        value.put("long", Long.MAX_VALUE);
        value.put("negative", -3L);
        value.put("double", 2.5);
        value.put("flags", List.of(true, false));
        value.put("nothing", null);
        value.put("nested", Map.of("list", Arrays.asList(1L, null, "x")));

        final String json = JsonWriter.write(value);

        assertThat(json).doesNotContain("<").doesNotContain(">").doesNotContain("&");
        assertThat(JsonReader.read(json)).isEqualTo(value);
    }

    @Test
    void notANumberIsWrittenAsNull()
    {
        assertThat(JsonWriter.write(List.of(Double.NaN, Double.POSITIVE_INFINITY))).isEqualTo("[null,null]");
    }

    @Test
    void malformedTextIsRefusedWithItsOffset()
    {
        for (final String bad : List.of("", "{", "{\"a\" 1}", "[1,]", "\"open", "tru", "{} x", "[\"\\q\"]",
            "[".repeat(100)))
        {
            assertThatThrownBy(() -> JsonReader.read(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset");
        }
    }
}
