using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExternalIdMappings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "external_ids",
                columns: table => new
                {
                    system = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    external_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    canonical_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    units_per_external = table.Column<int>(type: "INTEGER", nullable: false, defaultValue: 1),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_external_ids", x => new { x.system, x.kind, x.external_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_external_ids_system_kind_canonical_id",
                table: "external_ids",
                columns: new[] { "system", "kind", "canonical_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "external_ids");
        }
    }
}
