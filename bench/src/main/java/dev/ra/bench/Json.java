package dev.ra.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny JSON object builder for the harness's one-line results (no dependency). Values: numbers, strings, booleans,
 * nested {@link Json}, lists and {@code double[]} (as arrays).
 */
public final class Json
{
    private final Map<String, Object> fields = new LinkedHashMap<>();

    /**
     * @param key   field name.
     * @param value field value.
     * @return this.
     */
    public Json put(final String key, final Object value)
    {
        fields.put(key, value);
        return this;
    }

    /**
     * @param key field name.
     * @return its value, or null.
     */
    public Object get(final String key)
    {
        return fields.get(key);
    }

    /**
     * A JSON text to embed verbatim (a child process's line).
     *
     * @param json the text.
     */
    public record Raw(String json)
    {
    }

    /**
     * min/median/max of a sample, rounded to 3 decimals, plus the sample itself.
     *
     * @param values the runs' values.
     * @return {"min":..,"median":..,"max":..,"runs":[..]}.
     */
    public static Json summary(final List<Double> values)
    {
        final double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        final Json j = new Json();
        if (v.length == 0)
        {
            return j;
        }
        j.put("min", v[0]).put("median", median(v)).put("max", v[v.length - 1]);
        j.put("runs", new ArrayList<>(values));
        return j;
    }

    /**
     * @param sorted ascending values, at least one.
     * @return the median (mean of the middle two for an even count).
     */
    public static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        write(sb, this);
        return sb.toString();
    }

    private static void write(final StringBuilder sb, final Object value)
    {
        if (null == value)
        {
            sb.append("null");
        }
        else if (value instanceof Raw raw)
        {
            sb.append(raw.json());
        }
        else if (value instanceof Json json)
        {
            sb.append('{');
            boolean first = true;
            for (final Map.Entry<String, Object> e : json.fields.entrySet())
            {
                if (!first)
                {
                    sb.append(',');
                }
                first = false;
                writeString(sb, e.getKey());
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        }
        else if (value instanceof Double || value instanceof Float)
        {
            final double d = ((Number)value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d))
            {
                sb.append("null");
            }
            else if (d == Math.rint(d) && Math.abs(d) < 1e15)
            {
                sb.append((long)d);
            }
            else
            {
                sb.append(String.format(Locale.ROOT, "%.3f", d));
            }
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            sb.append(value);
        }
        else if (value instanceof List<?> list)
        {
            sb.append('[');
            for (int i = 0; i < list.size(); i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                write(sb, list.get(i));
            }
            sb.append(']');
        }
        else
        {
            writeString(sb, value.toString());
        }
    }

    private static void writeString(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
