using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class MovementFingerprints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "fingerprint",
                table: "processed_movements",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "fingerprint",
                table: "processed_movements");
        }
    }
}
