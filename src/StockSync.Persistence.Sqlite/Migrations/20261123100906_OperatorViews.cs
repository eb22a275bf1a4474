using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OperatorViews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ops_stuck_thresholds",
                columns: table => new
                {
                    saga = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    stuck_after_seconds = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ops_stuck_thresholds", x => new { x.saga, x.current_state });
                });

            // The operators' views (README, "Saga state in SQL"); no saga tables yet: each saga's migration recreates
            // them with its table and deadline columns.
            StockSync.Persistence.Operations.OperatorViews.Create(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            StockSync.Persistence.Operations.OperatorViews.Drop(migrationBuilder);

            migrationBuilder.DropTable(
                name: "ops_stuck_thresholds");
        }
    }
}
