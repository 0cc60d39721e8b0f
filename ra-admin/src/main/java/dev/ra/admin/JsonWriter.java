package dev.ra.admin;

import java.util.Collection;
import java.util.Map;

/**
 * Writes JSON text from maps, collections, strings, numbers, booleans and null (anything else as its string form),
 * so that the admin endpoint needs no JSON library. Map keys are written with {@link String#valueOf}; a map's
 * iteration order is the order of its members.
 */
final class JsonWriter
{
    private JsonWriter()
    {
    }

    /**
     * @param value a tree of maps, collections and plain values (no arrays).
     * @return its JSON text.
     */
    static String write(final Object value)
    {
        final StringBuilder out = new StringBuilder(256);
        append(out, value);
        return out.toString();
    }

    private static void append(final StringBuilder out, final Object value)
    {
        if (null == value)
        {
            out.append("null");
        }
        else if (value instanceof Boolean || value instanceof Integer || value instanceof Long ||
            value instanceof Short || value instanceof Byte)
        {
            out.append(value);
        }
        else if (value instanceof Number number)
        {
            final double d = number.doubleValue();
            // JSON has no NaN or infinities: those are unknown values.
            out.append(Double.isFinite(d) ? String.valueOf(number) : "null");
        }
        else if (value instanceof Map<?, ?> map)
        {
            out.append('{');
            boolean first = true;
            for (final Map.Entry<?, ?> entry : map.entrySet())
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                appendString(out, String.valueOf(entry.getKey()));
                out.append(':');
                append(out, entry.getValue());
            }
            out.append('}');
        }
        else if (value instanceof Collection<?> items)
        {
            out.append('[');
            boolean first = true;
            for (final Object item : items)
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                append(out, item);
            }
            out.append(']');
        }
        else
        {
            appendString(out, String.valueOf(value));
        }
    }

    private static void appendString(final StringBuilder out, final String text)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    // Control characters, and < > & so that the text is safe inside HTML as well.
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
