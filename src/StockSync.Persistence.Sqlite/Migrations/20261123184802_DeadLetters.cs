using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DeadLetters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "dead_letters",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    message_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    message_type = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    source_queue = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    headers = table.Column<string>(type: "TEXT", nullable: false),
                    exception_type = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    exception_message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    stack_trace = table.Column<string>(type: "TEXT", nullable: true),
                    first_failed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_failed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    failure_count = table.Column<int>(type: "INTEGER", nullable: false),
                    correlation_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    conversation_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    replayed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    replayed_by = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    replay_count = table.Column<int>(type: "INTEGER", nullable: false),
                    discarded_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    discarded_by = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    discard_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dead_letters", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_message_id_source_queue",
                table: "dead_letters",
                columns: new[] { "message_id", "source_queue" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_status_source_queue",
                table: "dead_letters",
                columns: new[] { "status", "source_queue" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dead_letters");
        }
    }
}
