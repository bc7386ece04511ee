using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kci.Sequencer.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OperatorCommandsAndFaults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "fault_destination",
                schema: "sequencer",
                table: "outbox",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "fault_destination",
                schema: "sequencer",
                table: "outbox");
        }
    }
}
