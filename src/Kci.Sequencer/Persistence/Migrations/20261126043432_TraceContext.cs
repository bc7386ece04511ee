using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kci.Sequencer.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TraceContext : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                schema: "sequencer",
                table: "outbox",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                schema: "sequencer",
                table: "order_kcis",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                schema: "sequencer",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "trace_parent",
                schema: "sequencer",
                table: "order_kcis");
        }
    }
}
