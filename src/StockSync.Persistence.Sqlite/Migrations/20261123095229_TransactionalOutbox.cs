using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TransactionalOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_deadline_claims_published_at",
                table: "deadline_claims");

            migrationBuilder.DropColumn(
                name: "lease_until",
                table: "deadline_claims");

            migrationBuilder.RenameColumn(
                name: "published_at",
                table: "deadline_claims",
                newName: "message_id");

            migrationBuilder.CreateTable(
                name: "inbox_states",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    consumer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    consumer = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    consumed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    receive_count = table.Column<int>(type: "INTEGER", nullable: false),
                    last_duplicate_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_states", x => new { x.message_id, x.consumer_id });
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    sequence_number = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    partition = table.Column<int>(type: "INTEGER", nullable: false),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    conversation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    initiator_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    request_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    source_address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    destination_address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    response_address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    fault_address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    sent_time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expiration_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    message_type = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    headers = table.Column<string>(type: "TEXT", nullable: true),
                    properties = table.Column<string>(type: "TEXT", nullable: true),
                    inbox_message_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    inbox_consumer_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.sequence_number);
                });

            migrationBuilder.CreateTable(
                name: "outbox_partitions",
                columns: table => new
                {
                    partition = table.Column<int>(type: "INTEGER", nullable: false),
                    owner = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    lease_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_dispatch_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_partitions", x => x.partition);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deadline_claims_claimed_at",
                table: "deadline_claims",
                column: "claimed_at");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_states_consumed_at",
                table: "inbox_states",
                column: "consumed_at");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_delivered_at",
                table: "outbox_messages",
                column: "delivered_at");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_inbox_message_id_inbox_consumer_id",
                table: "outbox_messages",
                columns: new[] { "inbox_message_id", "inbox_consumer_id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_partition_delivered_at_sequence_number",
                table: "outbox_messages",
                columns: new[] { "partition", "delivered_at", "sequence_number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_states");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "outbox_partitions");

            migrationBuilder.DropIndex(
                name: "ix_deadline_claims_claimed_at",
                table: "deadline_claims");

            migrationBuilder.RenameColumn(
                name: "message_id",
                table: "deadline_claims",
                newName: "published_at");

            migrationBuilder.AddColumn<DateTime>(
                name: "lease_until",
                table: "deadline_claims",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.CreateIndex(
                name: "ix_deadline_claims_published_at",
                table: "deadline_claims",
                column: "published_at");
        }
    }
}
