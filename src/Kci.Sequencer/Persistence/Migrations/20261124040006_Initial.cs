using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Kci.Sequencer.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "sequencer");

            migrationBuilder.CreateTable(
                name: "order_sequences",
                schema: "sequencer",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    current_state = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    entity_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    entity_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    supplier = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    conversation_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    next_sequence = table.Column<long>(type: "bigint", nullable: false),
                    skip_through = table.Column<long>(type: "bigint", nullable: false),
                    in_flight_kci_id = table.Column<Guid>(type: "uuid", nullable: true),
                    gap_deadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    blocked = table.Column<bool>(type: "boolean", nullable: false),
                    parked = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_sequences", x => x.correlation_id);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                schema: "sequencer",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    destination = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    message_type = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    conversation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "order_kcis",
                schema: "sequencer",
                columns: table => new
                {
                    kci_id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence_number = table.Column<long>(type: "bigint", nullable: false),
                    arrival = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    update_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    payload_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    conversation_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    request_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    released_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    handled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    release_count = table.Column<int>(type: "integer", nullable: false),
                    late = table.Column<bool>(type: "boolean", nullable: false),
                    sequence_conflict = table.Column<bool>(type: "boolean", nullable: false),
                    gap_before = table.Column<long>(type: "bigint", nullable: false),
                    body = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_kcis", x => x.kci_id);
                    table.ForeignKey(
                        name: "fk_order_kcis_order_sequences_order_id",
                        column: x => x.order_id,
                        principalSchema: "sequencer",
                        principalTable: "order_sequences",
                        principalColumn: "correlation_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_order_kcis_order_id_sequence_number",
                schema: "sequencer",
                table: "order_kcis",
                columns: new[] { "order_id", "sequence_number" });

            migrationBuilder.CreateIndex(
                name: "ix_order_sequences_entity_type_entity_id",
                schema: "sequencer",
                table: "order_sequences",
                columns: new[] { "entity_type", "entity_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_order_sequences_gap_deadline",
                schema: "sequencer",
                table: "order_sequences",
                column: "gap_deadline",
                filter: "gap_deadline IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "order_kcis",
                schema: "sequencer");

            migrationBuilder.DropTable(
                name: "outbox",
                schema: "sequencer");

            migrationBuilder.DropTable(
                name: "order_sequences",
                schema: "sequencer");
        }
    }
}
