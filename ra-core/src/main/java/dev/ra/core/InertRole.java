package dev.ra.core;

import dev.ra.RaftRole;

/**
 * A member not yet started (recovering its log) or ended (its cluster deleted): the base behaviour of
 * {@link RoleHandler}. An ended member handles no events at all.
 */
final class InertRole extends RoleHandler
{
    InertRole(final ServerCore core, final RaftRole state)
    {
        super(core, state);
    }
}
