package dev.ra.runtime.injvm;

import dev.ra.testkit.ClusterScenarios;
import dev.ra.testkit.TransportFactory;

/**
 * The shared cluster scenarios over the in-JVM network.
 */
class InJvmClusterScenariosTest extends ClusterScenarios
{
    @Override
    protected TransportFactory transports()
    {
        final InJvmNetwork network = new InJvmNetwork();
        return new TransportFactory()
        {
            @Override
            public dev.ra.spi.Transport newTransport(final String node)
            {
                return network.newTransport();
            }

            @Override
            public void close()
            {
                network.close();
            }
        };
    }
}
