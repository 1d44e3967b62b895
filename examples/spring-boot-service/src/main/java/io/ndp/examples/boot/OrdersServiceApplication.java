package io.ndp.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot service that embeds NDP through {@code ndp-spring-boot-starter}: the starter builds
 * the runtime from {@code application.yml} ({@code ndp.*}), registers the {@code @NdpDelegate}
 * methods of {@link OrderSteps} and the patterns declared there, and {@link RunController} runs a
 * context with the best learned pattern.
 *
 * <p>{@code mvn -B -q install -DskipTests && mvn -pl examples/spring-boot-service spring-boot:run},
 * then {@code curl -s -X POST localhost:8080/run -H 'Content-Type: application/json' -d
 * '{"domain":"orders","agentType":"sequential","payload":{"id":"o-1",
 * "amount":12.5,"email":"Ann@Example.org"}}'}.
 */
@SpringBootApplication
public class OrdersServiceApplication {

  /**
   * Starts the service.
   *
   * @param args Spring Boot's arguments (e.g. {@code --server.port=0})
   */
  public static void main(String[] args) {
    SpringApplication.run(OrdersServiceApplication.class, args);
  }
}
