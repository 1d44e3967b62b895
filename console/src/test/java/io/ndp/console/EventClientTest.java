package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** A client whose writes never complete: offers return at once, the overflow is counted. */
class EventClientTest {

  private final List<Callback> pendingWrites = new ArrayList<>();
  private final List<String> written = new ArrayList<>();
  private final LongAdder dropped = new LongAdder();
  private final AtomicInteger closed = new AtomicInteger();

  private final Response response =
      (Response)
          Proxy.newProxyInstance(
              Response.class.getClassLoader(),
              new Class<?>[] {Response.class},
              (proxy, method, args) -> {
                if (method.getName().equals("write")) {
                  ByteBuffer b = (ByteBuffer) args[1];
                  written.add(StandardCharsets.UTF_8.decode(b).toString());
                  pendingWrites.add((Callback) args[2]);
                  return null;
                }
                throw new UnsupportedOperationException(method.getName());
              });

  private final EventClient client =
      new EventClient(8, dropped, response, Callback.NOOP, c -> closed.incrementAndGet());

  @Test
  void aWriteThatNeverCompletes_queuesUpToTheBound_thenDropsAndCounts() {
    for (int i = 0; i < 20; i++) {
      client.offer("e" + i + "\n");
    }

    assertThat(pendingWrites).as("one write at a time").hasSize(1);
    assertThat(written.get(0)).isEqualTo("e0\n");
    assertThat(dropped.sum()).as("20 offered, 1 written, 8 queued").isEqualTo(11);

    pendingWrites.get(0).succeeded();

    assertThat(pendingWrites).hasSize(2);
    assertThat(written.get(1)).isEqualTo("e1\ne2\ne3\ne4\ne5\ne6\ne7\ne8\n");
  }

  @Test
  void aFailedWrite_closesTheClient_andLaterOffersAreIgnored() {
    client.offer("a\n");
    pendingWrites.get(0).failed(new java.io.IOException("connection reset"));

    assertThat(client.isClosed()).isTrue();
    assertThat(closed.get()).isEqualTo(1);
    client.offer("b\n");
    assertThat(written).containsExactly("a\n");
    assertThat(dropped.sum()).isZero();
  }
}
