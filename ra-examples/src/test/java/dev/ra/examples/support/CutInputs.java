package dev.ra.examples.support;

import java.util.List;

/**
 * A sequence of inputs with the point to take a snapshot at, for {@link Determinism#check}.
 *
 * @param inputs to feed.
 * @param cut    where to take the snapshot; may exceed the number of inputs (see {@link #cutWithin()}).
 */
public record CutInputs(List<Input> inputs, int cut)
{
    /**
     * @return the cut, at most the number of inputs.
     */
    public int cutWithin()
    {
        return Math.min(cut, inputs.size());
    }
}
