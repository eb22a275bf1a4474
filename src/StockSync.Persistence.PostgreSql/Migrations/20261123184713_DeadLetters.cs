using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StockSync.Persistence.PostgreSql.Migrations
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    message_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    message_type = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    source_queue = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    content_type = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    headers = table.Column<string>(type: "text", nullable: false),
                    exception_type = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    exception_message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    stack_trace = table.Column<string>(type: "text", nullable: true),
                    first_failed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_failed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    failure_count = table.Column<int>(type: "integer", nullable: false),
                    correlation_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    conversation_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    order_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    replayed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    replayed_by = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    replay_count = table.Column<int>(type: "integer", nullable: false),
                    discarded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    discarded_by = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    discard_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
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
