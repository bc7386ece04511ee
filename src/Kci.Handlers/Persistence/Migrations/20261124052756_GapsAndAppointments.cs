using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kci.Handlers.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class GapsAndAppointments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "appointment_end",
                schema: "handlers",
                table: "orders",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "appointment_start",
                schema: "handlers",
                table: "orders",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sequence_gaps",
                schema: "handlers",
                columns: table => new
                {
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from = table.Column<long>(type: "bigint", nullable: false),
                    to = table.Column<long>(type: "bigint", nullable: false),
                    entity_type = table.Column<string>(type: "text", nullable: false),
                    entity_id = table.Column<string>(type: "text", nullable: false),
                    skipped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequence_gaps", x => new { x.order_id, x.from });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sequence_gaps",
                schema: "handlers");

            migrationBuilder.DropColumn(
                name: "appointment_end",
                schema: "handlers",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "appointment_start",
                schema: "handlers",
                table: "orders");
        }
    }
}
