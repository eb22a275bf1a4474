using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ErpPostings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "dispatcher_leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    owner = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true),
                    lease_until = table.Column<DateTime>(type: "datetime2", nullable: true),
                    renewed_at = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispatcher_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "erp_postings",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    posting_id = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    kind = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    payload = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    status = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "int", nullable: false),
                    created_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    last_attempt_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    last_error = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    posted_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    failed_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    requeued_at = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_erp_postings", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "ix_erp_postings_posting_id",
                table: "erp_postings",
                column: "posting_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_erp_postings_status_sequence",
                table: "erp_postings",
                columns: new[] { "status", "sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dispatcher_leases");

            migrationBuilder.DropTable(
                name: "erp_postings");
        }
    }
}
