package io.ndp.storage.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** An H2 data source the test can take down and bring back, as a database that goes away. */
final class SwitchableDataSource extends H2TestDataSource {
  volatile boolean down;

  SwitchableDataSource(String url) {
    super(url);
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (down) {
      throw new SQLTransientConnectionException("the test took the database down", "08001");
    }
    return h2.getConnection();
  }
}
